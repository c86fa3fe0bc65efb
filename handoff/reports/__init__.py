"""Read-only reports: SLA metrics, the two-sided SLA, routing fairness, playbook assets, digest."""
