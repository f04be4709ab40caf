// Progressive enhancement only: every page works without this script.
import { initAll } from "/assets/govuk-frontend.min.js";

initAll();
