import { TemplateGallery } from "./template-gallery";

export default function Page() {
  return <TemplateGallery />;
}
