import { defineProfile } from '../department-profile/index.js';
import { enrolmentNotices, schools } from './config.js';

/** 教育: the school list (XLSX, MoE layout) and enrolment policies. */
export const educationConnector = defineProfile({
  id: 'education',
  title: { zh: '教育部门', en: 'Education department' },
  department: 'education',
  datasets: [schools, enrolmentNotices],
});

export { enrolmentNoticesMapping, schoolsMapping, DISTRICT_CODES } from './mapping.js';
