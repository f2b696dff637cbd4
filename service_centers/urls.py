app_name = "service_centers"

urlpatterns: list = []
