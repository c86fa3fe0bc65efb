"""Touchpoints of one lead: the capture, then visits, emails, webinars and meetings.

A mixin of journeys.Journeys (kept apart to keep each file to one job).
"""

from .plan import DAY
from .vocabulary import CHANNEL_TOUCH

HOUR = 3600


class TouchSteps:
    # --- touchpoints -----------------------------------------------------------------
    def _touchpoints(self, lead_id: int, index: int, created: int, channel: str, campaign: int, deal_window) -> None:
        rng, plan = self.rng, self.plan
        kind = rng.choices(["form_submit", "api", "import"], weights=[70, 22, 8])[0]
        self._touch(lead_id, kind, campaign, channel, created)
        extra = plan.touches[index] - 1
        if not extra:
            return
        if deal_window:
            accepted, _closed = deal_window
            high = accepted
        else:
            high = min(created + 120 * DAY, plan.end - 1)
        times = sorted(min(rng.randint(created + 1, max(high - 1, created + 1)), plan.end - 1) for _ in range(extra))
        if deal_window and extra > 2:
            # A few touches after the deal opened: they must not count for attribution.
            times[-1] = min(deal_window[0] + rng.randint(HOUR, 20 * DAY), plan.end - 1)
        for position, at in enumerate(times):
            day = (at - plan.start) // DAY
            last_before_deal = deal_window and position == len(times) - 1 - (extra > 2)
            if last_before_deal and rng.random() < 0.5:
                # The touch that tipped the deal: a meeting booked from an email, webinar or event.
                for wanted in rng.sample(["email", "webinar", "event", "paid_search"], 4):
                    pool = plan.active_by_channel[day].get(wanted)
                    if pool:
                        chosen = rng.choice(pool)
                        self._touch(lead_id, "meeting_request", chosen, wanted, at)
                        break
                else:
                    self._touch(lead_id, "meeting_request", -1, "direct", at)
                continue
            running = plan.active[day]
            if running and rng.random() < 0.75:
                chosen = rng.choice(running)
                chosen_channel = plan.campaigns[chosen].channel
                self._touch(lead_id, CHANNEL_TOUCH[chosen_channel][0], chosen, chosen_channel, at)
            else:
                self._touch(lead_id, "page_view", -1, "organic_search" if rng.random() < 0.5 else "direct", at)

    def _touch(self, lead_id: int, kind: str, campaign: int, channel: str, at: int) -> None:
        _kind, source, medium = CHANNEL_TOUCH[channel]
        utm = self.ctx.campaign_utm[campaign] if campaign >= 0 else ""
        self.t["touchpoint"].add(
            (
                self.next_id("touchpoint"),
                lead_id,
                kind,
                self.ctx.campaign_ids[campaign] if campaign >= 0 else None,
                channel,
                self.ts(at),
                source if campaign >= 0 else "",
                medium if campaign >= 0 else "",
                utm,
                "",
                "",
                "",
                "",
                "{}",
            )
        )
