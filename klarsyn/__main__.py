from klarsyn.cli.main import run

run()
