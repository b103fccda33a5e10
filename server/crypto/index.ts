import { env } from "../env";
import { createSecretBox, SecretBoxError, type SecretBox } from "./secret-box";

export type { SecretBox } from "./secret-box";

let box: SecretBox | undefined;

/** The process's secret box, from STREAMWARE_ENCRYPTION_KEY (generated in DATA_DIR in embedded mode). */
export function secretBox(): SecretBox {
  if (!box) {
    const e = env();
    if (!e.STREAMWARE_ENCRYPTION_KEY) throw new SecretBoxError("STREAMWARE_ENCRYPTION_KEY is not set; credentials cannot be stored or read.");
    box = createSecretBox({ currentKey: e.STREAMWARE_ENCRYPTION_KEY, previousKeys: e.STREAMWARE_PREVIOUS_ENCRYPTION_KEYS });
  }
  return box;
}
