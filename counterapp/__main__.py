from counterapp.cli import main

main()
