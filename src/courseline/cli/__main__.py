from courseline.cli import main

main()
