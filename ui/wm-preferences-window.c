/* wm-preferences-window.c — the application's settings
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"


#include "wm-preferences-window.h"

struct _WmPreferencesWindow
{
  AdwPreferencesWindow  parent_instance;

  AdwComboRow          *fft_size_row;
  GtkSpinButton        *hop_spin;
  GtkSpinButton        *db_floor_spin;
  GtkSpinButton        *db_ceiling_spin;
  AdwComboRow          *colormap_row;
  AdwComboRow          *frequency_scale_row;
  AdwComboRow          *time_format_row;

  GSettings            *settings;
};

G_DEFINE_FINAL_TYPE (WmPreferencesWindow, wm_preferences_window, ADW_TYPE_PREFERENCES_WINDOW)

/* Combo rows hold a position; the settings hold an FFT size or an enum nick,
 * in the same order as the row's string list. */
static const char * const colormap_nicks[] = { "viridis", "magma", "grey", NULL };
static const char * const frequency_scale_nicks[] = { "linear", "log", "mel", NULL };
static const char * const time_format_nicks[] = { "seconds", "wall-clock", NULL };

static gboolean
nick_to_position (GValue   *value,
                  GVariant *variant,
                  gpointer  user_data)
{
  const char * const *nicks = user_data;
  const char *nick = g_variant_get_string (variant, NULL);

  for (guint i = 0; nicks[i] != NULL; i++)
    if (g_str_equal (nicks[i], nick))
      {
        g_value_set_uint (value, i);
        return TRUE;
      }

  return FALSE;
}

static GVariant *
position_to_nick (const GValue       *value,
                  const GVariantType *expected_type,
                  gpointer            user_data)
{
  const char * const *nicks = user_data;
  guint position = g_value_get_uint (value);

  if (position >= g_strv_length ((char **) nicks))
    return NULL;

  return g_variant_new_string (nicks[position]);
}

static gboolean
fft_size_to_position (GValue   *value,
                      GVariant *variant,
                      gpointer  user_data)
{
  int fft_size = g_variant_get_int32 (variant);

  for (guint i = 0, size = 256; size <= 4096; i++, size *= 2)
    if ((int) size == fft_size)
      {
        g_value_set_uint (value, i);
        return TRUE;
      }

  return FALSE;
}

static GVariant *
position_to_fft_size (const GValue       *value,
                      const GVariantType *expected_type,
                      gpointer            user_data)
{
  guint position = g_value_get_uint (value);

  if (position > 4)
    return NULL;

  return g_variant_new_int32 (256 << position);
}

static void
bind_nick_row (WmPreferencesWindow *self,
               const char          *key,
               AdwComboRow         *row,
               const char * const  *nicks)
{
  g_settings_bind_with_mapping (self->settings, key, row, "selected", G_SETTINGS_BIND_DEFAULT,
                                nick_to_position, position_to_nick, (gpointer) nicks, NULL);
}

static void
wm_preferences_window_dispose (GObject *object)
{
  WmPreferencesWindow *self = WM_PREFERENCES_WINDOW (object);

  gtk_widget_dispose_template (GTK_WIDGET (object), WM_TYPE_PREFERENCES_WINDOW);
  g_clear_object (&self->settings);

  G_OBJECT_CLASS (wm_preferences_window_parent_class)->dispose (object);
}

static void
wm_preferences_window_class_init (WmPreferencesWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = wm_preferences_window_dispose;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               RESOURCE_PREFIX "/wm-preferences-window.ui");
  gtk_widget_class_bind_template_child (widget_class, WmPreferencesWindow, fft_size_row);
  gtk_widget_class_bind_template_child (widget_class, WmPreferencesWindow, hop_spin);
  gtk_widget_class_bind_template_child (widget_class, WmPreferencesWindow, db_floor_spin);
  gtk_widget_class_bind_template_child (widget_class, WmPreferencesWindow, db_ceiling_spin);
  gtk_widget_class_bind_template_child (widget_class, WmPreferencesWindow, colormap_row);
  gtk_widget_class_bind_template_child (widget_class, WmPreferencesWindow, frequency_scale_row);
  gtk_widget_class_bind_template_child (widget_class, WmPreferencesWindow, time_format_row);
}

static void
wm_preferences_window_init (WmPreferencesWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->settings = g_settings_new (APPLICATION_ID);

  g_settings_bind_with_mapping (self->settings, "fft-size", self->fft_size_row, "selected",
                                G_SETTINGS_BIND_DEFAULT, fft_size_to_position,
                                position_to_fft_size, NULL, NULL);
  g_settings_bind (self->settings, "hop", self->hop_spin, "value", G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, "db-floor", self->db_floor_spin, "value",
                   G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, "db-ceiling", self->db_ceiling_spin, "value",
                   G_SETTINGS_BIND_DEFAULT);
  bind_nick_row (self, "colormap", self->colormap_row, colormap_nicks);
  bind_nick_row (self, "frequency-scale", self->frequency_scale_row, frequency_scale_nicks);
  bind_nick_row (self, "time-format", self->time_format_row, time_format_nicks);
}

GtkWidget *
wm_preferences_window_new (GtkWindow *parent)
{
  g_return_val_if_fail (parent == NULL || GTK_IS_WINDOW (parent), NULL);

  return g_object_new (WM_TYPE_PREFERENCES_WINDOW,
                       "transient-for", parent,
                       "modal", parent != NULL,
                       NULL);
}
