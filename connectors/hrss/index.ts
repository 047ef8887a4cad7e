import { defineProfile } from '../department-profile/index.js';
import { hrssServices } from './config.js';

/** 人社: employment and social-insurance services from the department's service-item API. */
export const hrssConnector = defineProfile({
  id: 'hrss',
  title: { zh: '人力资源和社会保障部门', en: 'Human resources and social security department' },
  department: 'hrss',
  datasets: [hrssServices],
});

export { hrssServicesMapping } from './mapping.js';
