from journeybot.cli.main import run

run()
