"""The reader's training, calibration and model card: run by hand, never imported at serving time or in CI."""
