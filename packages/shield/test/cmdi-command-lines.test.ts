import { cmdiDetector } from "../src/detectors/cmdi/index.js";
import { describeRules, scoreOf } from "./helpers.js";

// Whole values that are a command line with no shell syntax at all: what a form field that reaches `sh -c` receives.
describeRules("cmdi: command lines without shell syntax", (value) => scoreOf(cmdiDetector, value, "body", "code"), {
  "a program whose name is no word, with a few bare arguments": {
    attacks: [
      "ansible-vault decrypt secret",
      "ansible-galaxy collection install community.general",
      "aa-disable php-fpm",
      "ansible-config dump",
    ],
    benign: ["ssh-keygen is a tool", "ssh-keygen for beginners", "x-ray vision goggles", "e-mail me back"],
  },
  "a package manager's install": {
    attacks: ["pip install something", "pipx install something", "npm install express", "gem install rails", "yarn add left-pad"],
    benign: ["run npm install first", "npm is great", "Please install the app on my phone", "add milk to the list"],
  },
});
