from django.urls import path

from .views import activities, availability, board, deals, forecast, my_day, setup

app_name = "sales"
urlpatterns = [
    path("my-day/", my_day.my_day, name="my-day"),
    path("board/", board.board, name="board"),
    path("board/deals/<int:pk>/move/", board.board_move, name="board-move"),
    path("forecast/", forecast.forecast, name="forecast"),
    path("availability/", availability.availability, name="availability"),
    path("availability/me/", availability.availability_own, name="availability-own"),
    path("availability/<int:pk>/", availability.availability_rep, name="availability-rep"),
    path("deals/", deals.deal_list, name="deal-list"),
    path("deals/<int:pk>/", deals.deal_detail, name="deal-detail"),
    path("deals/<int:pk>/move/", deals.deal_move, name="deal-move"),
    path("deals/<int:pk>/edit/", deals.deal_edit, name="deal-edit"),
    path("deals/<int:pk>/won/", deals.deal_won, name="deal-won"),
    path("deals/<int:pk>/lost/", deals.deal_lost, name="deal-lost"),
    path("deals/<int:pk>/reopen/", deals.deal_reopen, name="deal-reopen"),
    path("deals/<int:pk>/reassign/", deals.deal_reassign, name="deal-reassign"),
    path("deals/<int:pk>/activities/", activities.activity_add, name="activity-add"),
    path("deals/<int:pk>/notes/", activities.note_add, name="note-add"),
    path("deals/<int:pk>/assets/<int:asset_pk>/sent/", activities.asset_sent, name="asset-sent"),
    path("settings/pipelines/", setup.pipelines, name="pipelines"),
    path("settings/pipelines/<int:pk>/", setup.pipeline_edit, name="pipeline-edit"),
    path("settings/pipelines/<int:pk>/name/", setup.pipeline_rename, name="pipeline-rename"),
    path("settings/pipelines/<int:pk>/stages/", setup.pipeline_stages, name="pipeline-stages"),
    path("settings/pipelines/<int:pk>/moves/", setup.pipeline_moves, name="pipeline-moves"),
    path("settings/lost-reasons/", setup.lost_reasons, name="lost-reasons"),
    path("settings/lost-reasons/<int:pk>/", setup.lost_reason_edit, name="lost-reason-edit"),
    path("activities/<int:pk>/done/", activities.activity_done, name="activity-done"),
]
