"""The checks at LeadFlow's edges that every app shares.

Whatever a person types into a page, an integration sends to the API or a file brings in
passes a few checks that do not belong to any one app: a date must fall in a range the
rest of the code can compute with, and so on. They live here, once, so that marketing,
sales, handoff and the wiring all refuse the same things with the same words. This
package imports Django and DRF (and nothing of ours): every app may import it, and it
imports no app (an import-linter contract in pyproject.toml says so).

- `dates`     the one range of dates LeadFlow takes in
- `ids`       row ids as they arrive from outside
- `emails`    an address as an identity (normalised, IDN/punycode), the free-mail list
- `net`       the client's address behind N trusted proxies
- `ratelimit` the one rate limiter (capture form, capture API, login lockout)
- `csvsafe`   CSV cells no spreadsheet will execute, for every export
- `errors`    a service's refusal on a form or as the API's JSON; `Conflict` (409)
- `admin`     the Django admin as a client of the services
"""
