import { defineProfile } from '../department-profile/index.js';
import { healthPolicies, vaccinationSites } from './config.js';

/** 卫健: vaccination clinics from the department's CSV list, and its policy documents. */
export const healthConnector = defineProfile({
  id: 'health',
  title: { zh: '卫生健康部门', en: 'Health department' },
  department: 'health',
  datasets: [vaccinationSites, healthPolicies],
});

export { healthPoliciesMapping, vaccinationSitesMapping } from './mapping.js';
