#!/usr/bin/env node
// The installed `parapet` command; the code is compiled TypeScript in dist/.
import "../dist/src/main.js";
