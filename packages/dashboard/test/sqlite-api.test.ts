import { join } from "node:path";
import { sqliteLog } from "@parapet/observe";
import { apiSuite } from "./api-suite.js";
import { tempDir } from "./helpers.js";

const dir = tempDir();
apiSuite(
  "sqlite",
  async () => sqliteLog({ path: join(dir.path, "decisions.db") }),
  async () => dir.remove(),
);
