import type { Page, TestInfo } from "@playwright/test";
import { snap } from "./editor";

export const DESKTOP = { width: 1440, height: 900 };
export const PHONE = { width: 390, height: 844 };

/**
 * Screenshots of the page as it is now, light and dark, at desktop size and (unless `phone` is false) at a
 * phone's; the viewport and colour scheme are put back afterwards. `prepare` runs after each change of size, for
 * what a size needs (a panel to reopen, a scroll).
 */
export async function snapThemes(page: Page, testInfo: TestInfo, name: string, { phone = true, prepare }: { phone?: boolean; prepare?: () => Promise<void> } = {}): Promise<void> {
  const before = page.viewportSize();
  for (const [size, viewport] of phone ? ([["desktop", DESKTOP], ["phone", PHONE]] as const) : ([["desktop", DESKTOP]] as const)) {
    await page.setViewportSize(viewport);
    await prepare?.();
    for (const scheme of ["light", "dark"] as const) {
      await page.emulateMedia({ colorScheme: scheme });
      await snap(page, testInfo, `${name} ${size} ${scheme}`);
    }
  }
  await page.emulateMedia({ colorScheme: "light" });
  if (before) await page.setViewportSize(before);
}
