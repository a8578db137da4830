/**
 * Thrown by starter code where the learner has not written the lab's part yet. The HTTP layer answers 501
 * with this message, so a grader's failure says "not done yet, here is where" instead of a bare 500.
 */
export class LabTodo extends Error {
  constructor(lab: string, what: string) {
    super(`lab ${lab} is not done yet: ${what} (see http://localhost:3000/labs/ and \`npm run hint -- ${lab}\`)`);
    this.name = 'LabTodo';
  }
}
