"""The lead row itself and its stage history (a mixin of journeys.Journeys)."""

from .shapes import company_size
from .vocabulary import CHANNEL_TOUCH, FIRST_NAMES, LAST_NAMES, TITLES


class LeadSteps:
    # --- the lead row and its stage history -------------------------------------------
    def prepare(self, index: int, lead_id: int) -> None:
        """Choose who the lead is (needed by the deal row, written before the lead row)."""
        rng = self.rng
        company, industry, employees, domain = rng.choice(self.shapes.companies)
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        email = f"{first}.{last}.{lead_id}@{domain}".lower()
        campaign = self.plan.campaign[index]
        self._current = {
            "first": first,
            "last": last,
            "name": f"{first} {last}",
            "email": email,
            "company": company,
            "industry": industry,
            "size": company_size(employees),
            "phone": f"+1 555 {rng.randint(100, 999)} {rng.randint(1000, 9999)}" if rng.random() < 0.6 else "",
            "source": self.plan.channel[index],
            "campaign": self.plan.campaigns[campaign].name if campaign >= 0 else "",
        }

    def _lead_row(self, lead_id: int, index: int, stages: list, lead: dict, accepted_at: int | None) -> None:
        rng, ts, cur = self.rng, self.ts, self._current
        created = stages[0][1]
        for position, (stage, entered, reason) in enumerate(stages):
            exited = stages[position + 1][1] if position + 1 < len(stages) else None
            self.t["lead_change"].add(
                (
                    self.next_id("lead_change"),
                    lead_id,
                    stage,
                    ts(entered),
                    None if exited is None else ts(exited),
                    reason,
                    None,
                )
            )
        stage, changed_at, _reason = stages[-1]
        qualified = next((at for s, at, _r in stages if s == "mql"), None)
        threshold = self.ctx.mql_threshold
        score = rng.randint(threshold, 98) if qualified else rng.randint(0, threshold - 1)
        campaign = self.plan.campaign[index]
        utm = ("", "", "")
        if campaign >= 0:
            _kind, source, medium = CHANNEL_TOUCH[self.plan.campaigns[campaign].channel]
            utm = (source, medium, self.ctx.campaign_utm[campaign])
        consent = rng.random() < 0.7
        country = (
            "United States" if rng.random() < 0.6 else rng.choices(self.countries, weights=self.country_weights)[0]
        )
        self.t["lead"].add(
            (
                lead_id,
                cur["email"],
                cur["email"],
                cur["first"],
                cur["last"],
                cur["company"],
                rng.choice(TITLES),
                cur["phone"],
                country,
                cur["industry"],
                cur["size"],
                cur["source"],
                self.ctx.campaign_ids[campaign] if campaign >= 0 else None,
                *utm,
                "",
                "",
                ts(created) if consent else None,
                "web form" if consent else "",
                "Yes, you may email me about products and events." if consent else "",
                stage,
                ts(changed_at),
                score,
                "[]",
                ts(created + 30),
                "{}",
                lead["recycles"],
                lead["owner"],
                lead["outcome"],
                lead["amount"],
                lead["outcome_at"],
                "",
                ts(created),
                ts(changed_at),
                None if qualified is None else ts(qualified),
                None if accepted_at is None else ts(accepted_at),
                None if lead["nurture"] is None or stage != "recycled" else ts(lead["nurture"]),
            )
        )
