"""The ledgers teachers keep: teachers, the school calendar and absences, home visits with
their attachments, dropout cases, financial aid, and the reports built on them."""
