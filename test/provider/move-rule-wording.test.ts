/**
 * The product page's move rule is one sentence: the provider refuses with it at preview and
 * posthog-local (behind `enforceProductPageMoveRules`) with the same words, so a reader of either
 * message can find it on the page.
 */
import { MOVE_MESSAGES } from "../../emulator/rules/projects";
import { SOURCE_NEEDS_TWO_PROJECTS } from "../../provider/resources/project";

const PRODUCT_PAGE_SENTENCE =
  "The originating organization must have at least two projects before you can move one.";

test("the provider quotes the product page's two-projects rule word for word", () => {
  expect(SOURCE_NEEDS_TWO_PROJECTS).toBe(PRODUCT_PAGE_SENTENCE);
});

test("posthog-local refuses with the same sentence", () => {
  expect(MOVE_MESSAGES.sourceNeedsTwoProjects).toBe(PRODUCT_PAGE_SENTENCE);
});
