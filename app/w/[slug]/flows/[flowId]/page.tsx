import { FlowPage } from "./flow-page";

export default async function FlowRoute({ params }: { params: Promise<{ flowId: string }> }) {
  const { flowId } = await params;
  return <FlowPage flowId={flowId} />;
}
