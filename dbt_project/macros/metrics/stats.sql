{#-
  Statistics in plain SQL, for PostgreSQL 15 and 16 alike (15 has no erf/erfc, neither has
  lgamma): the two-sided normal p-value, the pooled two-proportion z-test and the chi-square
  upper tail. Each macro returns one scalar SQL expression (a correlated scalar subquery, so
  the argument expressions are evaluated once per row); null in, null out.
-#}

{#- W. J. Cody's rational Chebyshev approximations of the normal tail (ACM TOMS 715, the
    algorithm of R's pnorm): about 1e-16 relative error over the whole range, tails included. -#}
{% macro _stats_horner(start, coeffs, var) -%}
  {#- ((start + c0) * var + c1) * var ... : the loop of Cody's code, written out. -#}
  {%- set ns = namespace(expr=start) -%}
  {%- for c in coeffs -%}
    {%- set ns.expr = '((' ~ ns.expr ~ ' + ' ~ c ~ '::float8) * ' ~ var ~ ')' -%}
  {%- endfor -%}
  {{- return(ns.expr) -}}
{%- endmacro %}

{% macro _stats_cody_exp(y) -%}
  {#- exp(-y^2/2) split as Cody does (y rounded down to 1/16, then the rest) so that the
      square loses no digits. -#}
  exp(-(trunc({{ y }} * 16) / 16) * (trunc({{ y }} * 16) / 16) * 0.5)
  * exp(-(({{ y }}) - trunc({{ y }} * 16) / 16) * (({{ y }}) + trunc({{ y }} * 16) / 16) * 0.5)
{%- endmacro %}

{% macro two_sided_normal_p(z) -%}
  {#- P(|Z| >= |z|) = 2 * Phi(-|z|) for a standard normal Z. Null for null or NaN; 0 beyond
      |z| = 37.5, where the true value (< 1e-307) leaves double precision. -#}
  {%- set a = ['2.2352520354606839287', '161.02823106855587881', '1067.6894854603709582',
               '18154.981253343561249', '0.065682337918207449113'] -%}
  {%- set b = ['47.20258190468824187', '976.09855173777669322', '10260.932208618978205',
               '45507.789335026729956'] -%}
  {%- set c = ['0.39894151208813466764', '8.8831497943883759412', '93.506656132177855979',
               '597.27027639480026226', '2494.5375852903726711', '6848.1904505362823326',
               '11602.651437647350124', '9842.7148383839780218', '1.0765576773720192317e-8'] -%}
  {%- set d = ['22.266688044328115691', '235.38790178262499861', '1519.377599407554805',
               '6485.558298266760755', '18615.571640885098091', '34900.952721145977266',
               '38912.003286093271411', '19685.429676859990727'] -%}
  {%- set p = ['0.21589853405795699', '0.1274011611602473639', '0.022235277870649807',
               '0.001421619193227893466', '2.9112874951168792e-5', '0.02307344176494017303'] -%}
  {%- set q = ['1.28426009614491121', '0.468238212480865118', '0.0659881378689285515',
               '0.00378239633202758244', '7.29751555083966205e-5'] -%}
  {%- set y = '_tsnp.y' -%}
  {%- set s = '(_tsnp.y * _tsnp.y)' -%}
  {%- set r = '(1.0::float8 / (_tsnp.y * _tsnp.y))' -%}
  (select
    case
      when {{ y }} is null or {{ y }} = 'NaN'::float8 then null
      when {{ y }} > 37.5 then 0.0::float8
      when {{ y }} <= 0.67448975 then
        {# |z| small: 1 - 2 * (Phi(|z|) - 1/2) #}
        1.0::float8 - 2.0 * {{ y }}
          * ({{ _stats_horner(a[4] ~ '::float8 * ' ~ s, a[0:3], s) }} + {{ a[3] }}::float8)
          / ({{ _stats_horner(s, b[0:3], s) }} + {{ b[3] }}::float8)
      when {{ y }} <= 5.656854249492380195206754896838 then
        2.0 * {{ _stats_cody_exp(y) }}
          * ({{ _stats_horner(c[8] ~ '::float8 * ' ~ y, c[0:7], y) }} + {{ c[7] }}::float8)
          / ({{ _stats_horner(y, d[0:7], y) }} + {{ d[7] }}::float8)
      else
        2.0 * {{ _stats_cody_exp(y) }}
          * (0.398942280401432677939946059934::float8
             - {{ r }} * ({{ _stats_horner(p[5] ~ '::float8 * ' ~ r, p[0:4], r) }} + {{ p[4] }}::float8)
             / ({{ _stats_horner(r, q[0:4], r) }} + {{ q[4] }}::float8))
          / {{ y }}
    end
  from (select abs(cast(({{ z }}) as double precision)) as y) as _tsnp)
{%- endmacro %}

{% macro pooled_two_proportion_p(x1, n1, x2, n2) -%}
  {#- Two-sided p-value of the pooled two-proportion z-test of x1/n1 against x2/n2.
      Null when an input is null, a count is negative, a success count exceeds its trials,
      a group is empty, or the pooled rate is 0 or 1 (no variance: the test is undefined). -#}
  (select
    case
      when _ptp.x1 is null or _ptp.n1 is null or _ptp.x2 is null or _ptp.n2 is null then null
      when _ptp.n1 <= 0 or _ptp.n2 <= 0 or _ptp.x1 < 0 or _ptp.x2 < 0
        or _ptp.x1 > _ptp.n1 or _ptp.x2 > _ptp.n2 then null
      when _ptp.x1 + _ptp.x2 = 0 or _ptp.x1 + _ptp.x2 = _ptp.n1 + _ptp.n2 then null
      else {{ two_sided_normal_p(
        '(_ptp.x1 / _ptp.n1 - _ptp.x2 / _ptp.n2)
         / sqrt((_ptp.x1 + _ptp.x2) / (_ptp.n1 + _ptp.n2)
                * (1.0 - (_ptp.x1 + _ptp.x2) / (_ptp.n1 + _ptp.n2))
                * (1.0 / _ptp.n1 + 1.0 / _ptp.n2))') }}
    end
  from (
    select
      cast(({{ x1 }}) as double precision) as x1,
      cast(({{ n1 }}) as double precision) as n1,
      cast(({{ x2 }}) as double precision) as x2,
      cast(({{ n2 }}) as double precision) as n2
  ) as _ptp)
{%- endmacro %}

{% macro chi_square_p(statistic, dof) -%}
  {#- Upper tail P(X >= statistic) of a chi-square with `dof` degrees of freedom: the
      regularized upper incomplete gamma Q(dof/2, statistic/2). For a whole dof it is a finite
      sum (no series to truncate): with y = statistic/2,
        even dof = 2m:    Q = sum_{i=0}^{m-1} e^-y y^i / i!
        odd dof = 2m+1:   Q = erfc(sqrt y) + sum_{i=1}^{m} e^-y y^(i-1/2) / Gamma(i+1/2)
      Each term is computed in logs (ln i! and ln Gamma(i+1/2) as running sums of logs), so
      large statistics neither overflow nor lose digits, and a term below e^-700 counts as 0
      (PostgreSQL raises an error on underflow instead of returning 0).
      Null for a null input, NaN, or a dof that is not a whole number >= 1; 1 for a
      statistic <= 0; 0 for an infinite one. -#}
  (select
    case
      when _chi.x is null or _chi.k is null or _chi.x = 'NaN'::float8 then null
      when _chi.k < 1 or _chi.k <> trunc(_chi.k) then null
      when _chi.x <= 0 then 1.0::float8
      when _chi.x = 'Infinity'::float8 then 0.0::float8
      else least(1.0::float8,
        (case when _chi.h = 0.5 then {{ two_sided_normal_p('sqrt(_chi.x)') }}
              else 0.0::float8 end)
        + coalesce((
          select sum(case when _chi_t.e < -700 then 0.0::float8 else exp(_chi_t.e) end)
          from (
            select
              -(_chi.x / 2) + (_chi_i.i - _chi.h) * ln(_chi.x / 2)
              - _chi.h * 1.1447298858494002  /* ln Gamma(1/2) = ln(pi) / 2, for odd dof */
              - sum(case when _chi_i.i = 0 then 0.0::float8 else ln(_chi_i.i - _chi.h) end)
                  over (order by _chi_i.i) as e
            /* even dof: i = 0 .. m-1; odd dof: i = 1 .. m */
            from generate_series(
              (2 * _chi.h)::int, floor(_chi.k / 2)::int - (1 - 2 * _chi.h)::int
            ) as _chi_i (i)
          ) as _chi_t
        ), 0.0::float8))
    end
  from (
    select
      cast(({{ statistic }}) as double precision) as x,
      cast(({{ dof }}) as double precision) as k,
      case when mod(cast(({{ dof }}) as numeric), 2) = 1 then 0.5::float8 else 0.0::float8 end
        as h
  ) as _chi)
{%- endmacro %}
