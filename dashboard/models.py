"""No models: the module exists so that ``post_migrate`` reaches this app, which installs the company
change stamps' triggers (dashboard/stamps.py) after every migrate."""
