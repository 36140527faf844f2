"""Quality evaluation behind `sanad eval`: datasets, metrics, systems, reports, floors, and fits on its data."""
