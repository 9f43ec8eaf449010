"""The closed loop: from feedback to owned work and its measured effect.

- :mod:`~klarsyn.actions.rules` and :mod:`~klarsyn.actions.evaluate`: stored alert rules run
  over new feedback, opening cases and queueing notifications once per event;
- :mod:`~klarsyn.actions.outbox` and :mod:`~klarsyn.actions.notify`: delivery to e-mail, Slack,
  Teams and signed webhooks, retried with backoff;
- :mod:`~klarsyn.actions.cases` and :mod:`~klarsyn.actions.trail`: the case workflow, SLA,
  audit trail and notes;
- :mod:`~klarsyn.actions.plans`: action plans and their measured effect;
- :mod:`~klarsyn.actions.scorecards`: what each team did and what came back.

See docs/loop.md. The package imports nothing itself: the CLI loads only the modules a command
needs, so a plain import does not pay for the analytics stack that effects use.
"""
