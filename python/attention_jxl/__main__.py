from attention_jxl.cli import main

raise SystemExit(main())
