/** The wire shapes the suite reads, written from PostHog's API docs (not shared with the emulator). */
export interface Project {
  id: number;
  uuid: string;
  organization: string;
  name: string;
  api_token: string;
  timezone: string;
  is_pending_deletion?: boolean;
  product_description?: string | null;
}

export interface Organization {
  id: string;
  name: string;
  slug: string;
  membership_level: number;
  projects: { id: number; organization_id: string; name: string }[];
  available_product_features: { key: string }[];
}

export interface Member {
  id: string;
  level: number;
  user: { uuid: string; email: string };
}

export interface Page<T> {
  count: number;
  next: string | null;
  previous: string | null;
  results: T[];
}

export interface ErrorResponse {
  type: string;
  code: string;
  detail: string;
  attr: string | null;
}
