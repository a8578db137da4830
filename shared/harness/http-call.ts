/** What a grader got back from a service: status 0 means no answer at all (refused, reset or too slow). */
export interface HttpAnswer {
  status: number;
  body: Record<string, unknown>;
  location: string | null;
  ms: number;
}

/**
 * One JSON request to a service on loopback, with a deadline of the grader's own: a service that hangs
 * fails a check with a message ("no answer within 3000 ms") instead of stalling the grader.
 */
export async function httpCall(port: number, method: string, url: string, body?: unknown, waitMs = 10_000): Promise<HttpAnswer> {
  const started = Date.now();
  try {
    const response = await fetch(`http://127.0.0.1:${port}${url}`, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(waitMs),
    });
    const text = await response.text();
    return { status: response.status, body: parseJson(text), location: response.headers.get('location'), ms: Date.now() - started };
  } catch (error) {
    const reason = error instanceof DOMException && error.name === 'TimeoutError' ? `no answer within ${waitMs} ms` : String((error as Error).message);
    return { status: 0, body: { error: reason }, location: null, ms: Date.now() - started };
  }
}

function parseJson(text: string): Record<string, unknown> {
  try {
    return JSON.parse(text) as Record<string, unknown>;
  } catch {
    return { error: `not JSON: ${text.slice(0, 200)}` };
  }
}
