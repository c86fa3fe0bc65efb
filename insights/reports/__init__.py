"""Read-only reports: SLA metrics, the two-sided SLA, routing fairness, the weekly digest."""
