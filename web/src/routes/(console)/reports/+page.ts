// /reports is the summary's: the report managers open first. The query comes along, so a link to
// /reports?from=…&to=… keeps its range.
import { redirect } from '@sveltejs/kit';
import type { PageLoad } from './$types';

export const load: PageLoad = ({ url }) => {
  redirect(307, `/reports/summary${url.search}`);
};
