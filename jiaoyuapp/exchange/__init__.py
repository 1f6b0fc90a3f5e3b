"""What leaves the school: its identity (keys, certificate, fingerprint), the signed ledgers and
inspection folder, packets for the township center, receipts, and the center's import and merge."""
