from eiso.cli import entry

entry()
