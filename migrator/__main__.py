from migrator.cli.commands import main

main()
