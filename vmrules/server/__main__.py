from vmrules.server import main

raise SystemExit(main())
