import { startTestServer } from "../_kit/test-http-server";

/** An RSS 2.0 document with one item per entry. */
export function rss(entries: { guid: string; title: string }[]): string {
  const items = entries
    .map((e) => `<item><title>${e.title}</title><link>https://example.test/${e.guid}</link><guid>${e.guid}</guid><pubDate>Sun, 22 Nov 2026 09:00:00 GMT</pubDate><description>About ${e.title}</description><category>news</category></item>`)
    .join("");
  return `<?xml version="1.0"?><rss version="2.0"><channel><title>Test news</title><link>https://example.test/</link><description>d</description>${items}</channel></rss>`;
}

/** An Atom feed with one entry each. */
export function atom(entries: { id: string; title: string }[]): string {
  const items = entries
    .map((e) => `<entry><id>${e.id}</id><title>${e.title}</title><link href="https://example.test/a/${e.title}"/><updated>2026-11-22T09:00:00Z</updated><author><name>Ada</name></author><summary>Sum ${e.title}</summary></entry>`)
    .join("");
  return `<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom"><title>Atom log</title><id>urn:log</id><updated>2026-11-22T09:00:00Z</updated>${items}</feed>`;
}

/** A loopback server that answers with whatever `body` holds at the time, and counts the requests. */
export async function feedServer(type: string, initial: string) {
  const state = { body: initial, status: 200, requests: 0 };
  const server = await startTestServer((req, res) => {
    state.requests++;
    res.writeHead(state.status, { "content-type": type }).end(state.body);
  });
  return { state, url: `${server.url}/feed` };
}
