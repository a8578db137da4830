-- A participant's fault knob (see ../answers.ts): replies it was told to hold back instead of sending, as a
-- participant that never answers would. The grader lets them go (POST /admin/held-replies/release), and
-- they then arrive late, after the orchestrator's step timeout.
CREATE TABLE held_replies (
  id      bigserial PRIMARY KEY,
  message jsonb NOT NULL,
  held_at timestamptz NOT NULL DEFAULT now()
);
