import { expect, test } from "@playwright/test";

test("/favicon.ico answers with an icon", async ({ request }) => {
  const response = await request.get("/favicon.ico");
  expect(response.status()).toBe(200);
  expect(response.headers()["content-type"]).toMatch(/^image\//);
  // The ICO header: reserved 0, type 1 (icon), at least one image.
  const body = await response.body();
  expect([...body.subarray(0, 4)]).toEqual([0, 0, 1, 0]);
  expect(body.readUInt16LE(4)).toBeGreaterThan(0);
});

test("the tab shows Streamware's icon", async ({ page }) => {
  await page.goto("/signin");
  const icons = page.locator('head link[rel~="icon"]');
  await expect(icons).not.toHaveCount(0);
  const hrefs = await icons.evaluateAll((links) => links.map((link) => (link as HTMLLinkElement).href));
  for (const href of hrefs) {
    const response = await page.request.get(href);
    expect(response.status(), href).toBe(200);
    expect(response.headers()["content-type"], href).toMatch(/^image\//);
  }
  // The icon the tab shows decodes as an image of a real size.
  const svg = hrefs.find((href) => new URL(href).pathname.endsWith(".svg"));
  expect(svg).toBeDefined();
  const width = await page.evaluate(async (src) => {
    const image = new Image();
    image.src = src;
    await image.decode();
    return image.naturalWidth;
  }, svg!);
  expect(width).toBeGreaterThan(0);
});
