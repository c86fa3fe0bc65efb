"""The dashboard's pages: the overview, one CSV per widget, and the drill-down lists."""

from .drill import deal_list, lead_list, offer_list, rejection_list
from .export import export_csv
from .overview import overview

__all__ = ["deal_list", "export_csv", "lead_list", "offer_list", "overview", "rejection_list"]
