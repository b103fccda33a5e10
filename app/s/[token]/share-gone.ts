/** What a link that opens nothing says, on the page and when a page already open finds its link gone. */
export const SHARE_GONE_MESSAGE = "This shared dashboard does not exist, or its link was revoked or has expired. Ask whoever shared it for a new link.";
