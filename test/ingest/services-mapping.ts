/**
 * The mapping a department admin would register for a services CSV (编码,名称,材料,时限,区划,密级).
 * Plain data with no test-runner imports, so benchmarks use it too.
 */
export const servicesMapping = {
  kind: 'SERVICE',
  constants: { department: 'health' },
  fields: [
    { target: 'itemCode', source: '编码' },
    { target: 'title', source: '名称' },
    { target: 'materials', source: '材料', transforms: [{ op: 'split' }] },
    { target: 'timeLimitDays', source: '时限', transforms: [{ op: 'number', integer: true }] },
    { target: 'orgUnitCodes', source: '区划' },
  ],
};
