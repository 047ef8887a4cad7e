import { Result } from 'antd';

export default function QuarantinePages() {
  return <Result status="info" title="quarantine" subTitle="建设中 / Coming soon" />;
}
