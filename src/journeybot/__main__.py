from journeybot.cli.entry import run

run()
