/**
 * One zod schema per response shape the client reads. Every response is validated
 * once, in the client core (`http.ts`); a mismatch becomes a `ResponseShapeError`.
 *
 * Objects are loose: PostHog returns many more fields than the provider uses, and new
 * ones appear all the time. Only the fields the provider relies on are declared, and
 * nullable wherever PostHog's models allow null.
 */
import { z } from "zod";
import { entriesFor, ORGANIZATION_FLAG_WIRE_NAMES } from "../fields/organization";

/** PostHog's error body (drf-exceptions-hog): `{type, code, detail, attr}`. */
export const errorBodySchema = z.looseObject({
  type: z.string().nullish(),
  code: z.string().nullish(),
  detail: z.string().nullish(),
  attr: z.string().nullish(),
});

/** One product feature of an organization's plan, e.g. `{key: "organizations_projects", limit: null}`. */
export const productFeatureSchema = z.looseObject({
  key: z.string(),
  limit: z.number().nullish(),
});

/**
 * `available_product_features`, kept tolerant entry by entry: billing writes this list, and one
 * null or unexpected entry must not reject the whole organization. Entries that are not a
 * feature are dropped; the provider only looks for `organizations_projects`.
 */
const productFeaturesSchema = z
  .array(z.unknown())
  .nullish()
  .transform((entries) =>
    entries == null
      ? entries
      : entries.flatMap((entry) => {
          const parsed = productFeatureSchema.safeParse(entry);
          return parsed.success ? [parsed.data] : [];
        }),
  );

/** The short project entries embedded in an organization. */
export const organizationProjectRefSchema = z.looseObject({
  id: z.number().int(),
  name: z.string(),
});

/** `GET/POST/PATCH /api/organizations/{id}/`. */
export const organizationSchema = z.looseObject({
  id: z.string(),
  name: z.string(),
  slug: z.string(),
  created_at: z.string().nullish(),
  membership_level: z.number().int().nullish(),
  projects: z.array(organizationProjectRefSchema).nullish(),
  teams: z.array(organizationProjectRefSchema).nullish(),
  available_product_features: productFeaturesSchema.optional(),
  ...entriesFor(ORGANIZATION_FLAG_WIRE_NAMES, () => z.boolean().nullish()),
  is_pending_deletion: z.boolean().nullish(),
});
export type Organization = z.infer<typeof organizationSchema>;

/**
 * Entries of `GET /api/organizations/`: the same serializer as a single organization,
 * of which the list relies on fewer fields.
 */
export const organizationListItemSchema = organizationSchema.pick({
  id: true,
  name: true,
  created_at: true,
  membership_level: true,
  projects: true,
  teams: true,
});
export type OrganizationListItem = z.infer<typeof organizationListItemSchema>;

/** `GET/POST/PATCH /api/organizations/{org}/projects/{id}/` and the session actions. */
export const projectSchema = z.looseObject({
  id: z.number().int(),
  uuid: z.string(),
  organization: z.string(),
  name: z.string(),
  api_token: z.string(),
  timezone: z.string(),
  product_description: z.string().nullish(),
  created_at: z.string().nullish(),
  is_demo: z.boolean().nullish(),
  is_pending_deletion: z.boolean().nullish(),
});
export type Project = z.infer<typeof projectSchema>;

/**
 * Entries of the project list: PostHog's basic project serializer, a subset of the
 * project's fields in which `organization` may be absent.
 */
export const projectListItemSchema = projectSchema
  .pick({ id: true, name: true, is_demo: true, is_pending_deletion: true })
  .extend({ organization: projectSchema.shape.organization.nullish() });
export type ProjectListItem = z.infer<typeof projectListItemSchema>;

/** A limit/offset page: `{count, next, previous, results}`; `next` is followed as given. */
export function pageSchema<T extends z.ZodType>(item: T) {
  return z.looseObject({
    count: z.number().int().nullish(),
    next: z.string().nullish(),
    previous: z.string().nullish(),
    results: z.array(item),
  });
}

/** `POST /api/login` and `POST /api/login/token` answer `{success: true}`. */
export const loginSchema = z.looseObject({ success: z.boolean().optional() });

/** Empty bodies (204) are validated as "anything": there is nothing to read. */
export const noContentSchema = z.unknown();
