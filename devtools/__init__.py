"""Development tools: the synthetic data generator (`manage.py generate_data`) and the demo
seeding (`manage.py seed_demo`). Production code never imports this app (an import-linter
contract in pyproject.toml says so); it is installed only so that its commands run."""
