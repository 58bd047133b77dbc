{{ config(**metric_config('courses.performance', 'month')) }}

{{ metric_courses_performance('month') }}
