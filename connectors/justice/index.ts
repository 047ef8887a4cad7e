import { defineProfile } from '../department-profile/index.js';
import { justicePolicies, serviceStations } from './config.js';

/** 司法: legal-aid and mediation stations, and the bureau's policy documents. */
export const justiceConnector = defineProfile({
  id: 'justice',
  title: { zh: '司法行政部门', en: 'Justice department' },
  department: 'justice',
  datasets: [serviceStations, justicePolicies],
});

export { justicePoliciesMapping, serviceStationsMapping } from './mapping.js';
