"""Reports: what marketing and the privacy officer take out (statistics, receipt exports, CSV) and
the access trail around every export. No Flask: callers say who is asking (``exports.Requester``)."""
