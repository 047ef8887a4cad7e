import type { Models } from '../../db/index.js';
import {
  findPoliciesByDocNumbers,
  findPoliciesSupersededBy,
  findResourcesByIds,
  findServicesByItemCodes,
  findServicesByLegalBasis,
} from '../../domain/catalog/index.js';
import type { Viewer } from '../../domain/visibility/index.js';
import { loaderById, loaderOfGroups } from './keyed.js';

/** Resource loaders see only what the viewer may see: the batch functions apply visibilityFilter. */
export function catalogLoaders(models: Models, viewer: Viewer) {
  return {
    resourceById: loaderById((ids) => findResourcesByIds(models, viewer, ids)),
    policiesByDocNumber: loaderOfGroups(
      (docNumbers) => findPoliciesByDocNumbers(models, viewer, docNumbers),
      (doc) => (doc.docNumber ? [doc.docNumber] : []),
    ),
    policiesSupersededBy: loaderOfGroups(
      (docNumbers) => findPoliciesSupersededBy(models, viewer, docNumbers),
      (doc) => (doc.supersededByDocNumber ? [doc.supersededByDocNumber] : []),
    ),
    servicesByItemCode: loaderOfGroups(
      (itemCodes) => findServicesByItemCodes(models, viewer, itemCodes),
      (doc) => (doc.itemCode ? [doc.itemCode] : []),
    ),
    servicesByLegalBasis: loaderOfGroups(
      (docNumbers) => findServicesByLegalBasis(models, viewer, docNumbers),
      (doc) => doc.legalBasisDocNumbers,
    ),
  };
}
