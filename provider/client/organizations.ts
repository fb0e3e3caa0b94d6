/**
 * Organizations: `/api/organizations/` and `/api/organizations/{id}/`.
 */
import { z } from "zod";
import type { OrganizationFlagWireName } from "../fields/organization";
import { OperationContext, PostHogApiError } from "./errors";
import { MembershipLevel } from "./membership";
import { apiPath, HttpClient } from "./http";
import { label } from "./label";
import { withRecovery } from "./recovery";
import {
  noContentSchema,
  Organization,
  organizationListItemSchema,
  OrganizationListItem,
  organizationSchema,
  pageSchema,
} from "./schemas";

/** Writable organization fields, in PostHog's wire names: the name and the flags. */
export type OrganizationWrite = { name?: string } & { [K in OrganizationFlagWireName]?: boolean };

/** PostHog's hard cap on projects per organization (MAX_ALLOWED_PROJECTS_PER_ORG). */
export const MAX_PROJECTS_PER_ORGANIZATION = 2000;

/**
 * How many non-demo projects the organization's plan allows: 1 without the
 * `organizations_projects` feature; with it, the feature's `limit`, or PostHog's hard
 * cap when the limit is null (PremiumMultiProjectPermission in posthog/api/project.py).
 */
export function projectAllowance(org: Pick<Organization, "available_product_features">): number {
  const feature = (org.available_product_features ?? []).find((f) => f.key === "organizations_projects");
  if (!feature) return 1;
  return feature.limit ?? MAX_PROJECTS_PER_ORGANIZATION;
}

/** The projects embedded in an organization response (`projects`, or `teams` on older versions). */
export function organizationProjects(
  org: Pick<Organization, "projects" | "teams">,
): ReadonlyArray<{ id: number; name: string }> {
  return org.projects ?? org.teams ?? [];
}

/** Organization calls of the PostHog client. */
export class OrganizationsApi {
  constructor(private readonly http: HttpClient) {}

  /** Every organization the caller belongs to. Accepts a page or a bare array. */
  async list(
    op: OperationContext = { action: "list", resource: "organizations" },
  ): Promise<OrganizationListItem[]> {
    const schema = z.union([z.array(organizationListItemSchema), pageSchema(organizationListItemSchema)]);
    const first = await this.http.request({ op, method: "GET", path: apiPath("organizations"), schema });
    if (Array.isArray(first)) return first;
    if (!first.next) return first.results;
    return this.http.list(op, apiPath("organizations"), organizationListItemSchema);
  }

  /**
   * One organization; throws a 404 `PostHogApiError` when it is gone or not visible. Read
   * once per provider process (the preview-time checks of every project ask for it).
   */
  get(
    id: string,
    op: OperationContext = { action: "read", resource: label("Organization", id) },
  ): Promise<Organization> {
    return this.http.cache.organization(id, () =>
      this.http.request({
        op,
        method: "GET",
        path: apiPath("organizations", id),
        schema: organizationSchema,
      }),
    );
  }

  /** One organization, or undefined when it is gone, not visible, or being deleted. */
  async find(id: string, op?: OperationContext): Promise<Organization | undefined> {
    try {
      const org = await this.get(id, op);
      return org.is_pending_deletion ? undefined : org;
    } catch (err) {
      if (err instanceof PostHogApiError && err.isGone) return undefined;
      throw err;
    }
  }

  /**
   * Creates an organization (the caller becomes its OWNER; PostHog also creates its
   * "Default project").
   *
   * Recovery rule for a lost response: organization names are not unique, so a name
   * alone cannot identify what the first attempt made. Before posting, the client
   * records the ids of the organizations the caller already belongs to; after an
   * ambiguous failure it lists them again, and an organization with the same name
   * that is new since that snapshot and owned by the caller is the one the attempt
   * created (the oldest, if a concurrent run made several). Only if there is none is
   * the POST sent again. The rule cannot tell apart an organization of the same name
   * created by the same user in another process during those seconds; that is the
   * accepted trade-off (a duplicate organization is visible and harmless to delete,
   * a lost one would be orphaned).
   */
  async create(body: OrganizationWrite & { name: string }): Promise<Organization> {
    const op: OperationContext = { action: "create", resource: `Organization "${body.name}"` };
    const before = new Set((await this.list(op)).map((o) => o.id));
    return withRecovery(this.http, {
      attempt: () =>
        this.http.request({
          op,
          method: "POST",
          path: apiPath("organizations"),
          body,
          schema: organizationSchema,
        }),
      lookup: async () => {
        const created = (await this.list(op))
          .filter((o) => !before.has(o.id) && o.name === body.name)
          .filter(
            (o) =>
              o.membership_level === undefined ||
              o.membership_level === null ||
              o.membership_level >= MembershipLevel.OWNER,
          )
          .sort((a, b) => (a.created_at ?? "").localeCompare(b.created_at ?? ""));
        return created.length > 0 ? this.get(created[0].id, op) : undefined;
      },
    });
  }

  /** PATCHes the given fields (PostHog: needs ADMIN). */
  async update(id: string, patch: OrganizationWrite, name?: string): Promise<Organization> {
    this.http.cache.forgetOrganization(id);
    return this.http.request({
      op: { action: "update", resource: label("Organization", id, name) },
      method: "PATCH",
      path: apiPath("organizations", id),
      body: patch,
      schema: organizationSchema,
      // Plain fields: sending the same values again changes nothing.
      idempotent: true,
    });
  }

  /** Deletes the organization (PostHog: needs OWNER). Returns false when it was already gone. */
  async delete(id: string, name?: string): Promise<boolean> {
    this.http.cache.forgetOrganization(id);
    try {
      await this.http.request({
        op: { action: "delete", resource: label("Organization", id, name) },
        method: "DELETE",
        path: apiPath("organizations", id),
        schema: noContentSchema,
        levelHint:
          "deleting an organization needs the OWNER level. Ask an owner to delete it, or to make you an owner; " +
          "or stop managing it with `pulumi state delete` (or the retainOnDelete resource option).",
      });
      return true;
    } catch (err) {
      if (err instanceof PostHogApiError && err.isGone) return false;
      throw err;
    }
  }
}
