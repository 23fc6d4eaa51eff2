"""Reuse and delivery: the dashboards, and recording adoptions and deliveries.

:mod:`~portal.insights.dashboards` draws ``/reuse`` and ``/delivery`` (and lends
its figures to the home, business and capability pages),
:mod:`~portal.insights.records` records adoptions and deliveries through forms,
:mod:`~portal.insights.uploads` takes and gives the deliveries CSV. All of them
register on one blueprint, :data:`bp`.
"""

from portal.insights import dashboards, records, uploads
from portal.insights.blueprint import bp
from portal.insights.dashboards import business_insights, capability_insights, home_insights

__all__ = ["bp", "business_insights", "capability_insights", "dashboards", "home_insights",
           "records", "uploads"]
