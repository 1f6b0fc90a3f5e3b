"""Documents for people outside the app: the Excel ledgers and the PDF inspection folder."""
